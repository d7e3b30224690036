// Placeholder: tests of the index family are being written.
