// Placeholder: the softmax family is being written.
