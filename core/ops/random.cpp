// Placeholder: the random family is being written.
