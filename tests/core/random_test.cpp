// Placeholder: tests of the random family are being written.
