// Placeholder: the matmul family is being written.
