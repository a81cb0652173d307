"""Personal data handling: what the assistant removes from messages before storing them."""
