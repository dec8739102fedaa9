"""Writes for orders, payments and refunds, by subject:

- checkout.py: create orders (purchases and the order behind a gift), start their payment;
- notices.py: apply what a provider says (webhooks and reconciliation);
- refunds.py: one refund per reason, carried out through the outbox;
- sweeps.py: cancel unpaid orders past their payment window, reconcile stuck payments.
"""
