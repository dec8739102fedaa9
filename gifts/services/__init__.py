"""Writes for gifts, by subject:

- sending.py: create a gift (and the order behind it), open it once paid, the card link;
- claims.py: accept, enter a lottery, set a winner's address, decline, thank;
- lifecycle.py: cancel, extend, and the periodic jobs (expire, draw lotteries, remind).
"""
