// Placeholder: the loss family is being written.
