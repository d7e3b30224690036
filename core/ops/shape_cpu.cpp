// Placeholder: the shape family is being written.
