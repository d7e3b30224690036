// Placeholder: tests of the shape family are being written.
