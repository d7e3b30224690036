// Placeholder: the norm family is being written.
