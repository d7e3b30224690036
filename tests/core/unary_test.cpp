// Placeholder: tests of the unary family are being written.
