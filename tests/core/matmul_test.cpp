// Placeholder: tests of the matmul family are being written.
