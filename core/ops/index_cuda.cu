// Placeholder: the index family is being written.
