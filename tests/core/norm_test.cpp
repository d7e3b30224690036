// Placeholder: tests of the norm family are being written.
