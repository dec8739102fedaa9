"""/api/v1/gifts/ (the sender's side) and /api/v1/claims/<token>/ (the recipient's side)."""
