// Placeholder: tests of the loss family are being written.
