"""Chat datasets: MEDLINE reader, instruction builders, chat-template encoding, packing."""
