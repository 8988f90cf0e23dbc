"""Which local model file to run and on which device."""
