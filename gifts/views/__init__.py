"""Gift pages, by who sees them: sender.py (compose, my gifts, my gift, its QR code and actions)
and card.py (the recipient's card at /g/<token>/)."""
