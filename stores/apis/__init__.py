"""The stores REST API: public catalog reads (catalog.py) and the merchant's writes
(merchant_stores.py, merchant_products.py). One APIView per operation; views call
stores.services for writes and stores.selectors for reads and access checks."""
