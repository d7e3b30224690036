// Placeholder: tests of the softmax family are being written.
