"""Seed the demo shop: a tea house with photographed products, its merchant and two shoppers.

Idempotent: what already exists (by username, store slug, product title, SKU) is left as it is, so
`make run` calls it on every start. Everything is made through the services, as a person would.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.services import user_register
from logistics.management import demo_catalog as demo
from logistics.management.demo_pictures import draw_product
from logistics.models import Address
from logistics.services.addresses import address_create
from stores.models import Product, Store, StoreMember
from stores.services import product_create, product_image_add, store_create


class Command(BaseCommand):
    help = "Create the demo store, products, photos and accounts (safe to run again), and print the logins."

    def handle(self, *args, **options):
        self.password = settings.DEMO_PASSWORD
        if not self.password:  # the embedded mode makes one per install (settings/install_secrets.py)
            raise CommandError("Set DEMO_PASSWORD (the demo accounts' password) to seed the demo shop.")
        created = {"accounts": 0, "addresses": 0, "products": 0, "photos": 0}
        merchant = self._user(demo.MERCHANT, created)
        for shopper in demo.SHOPPERS:
            user = self._user(shopper, created)
            if not Address.objects.filter(user=user).exists():
                for address in shopper["addresses"]:
                    address_create(user=user, **address)
                    created["addresses"] += 1

        store = Store.objects.filter(slug=demo.STORE["slug"]).first()
        store_created = store is None
        if store_created:
            store = store_create(owner=merchant, **demo.STORE)
        elif not StoreMember.objects.filter(store=store, user=merchant).exists():
            self.stderr.write(f"The store {store.slug} exists and {merchant.username} is not its member: left as is.")
        for spec in reversed(demo.PRODUCTS):  # the shop lists the newest first
            self._product(store, spec, created)

        summary = ", ".join(f"{n} {name}" for name, n in created.items())
        self.stdout.write(f"seed_demo: {'created' if store_created else 'kept'} store {store.slug}; new: {summary}.")
        self._print_logins(store)

    def _user(self, spec, created):
        user = User.objects.filter(username__iexact=spec["username"]).first()
        if user is None:
            user = user_register(password=self.password, **{k: spec[k] for k in ("username", "email",
                                                                               "display_name")})
            created["accounts"] += 1
        elif user.check_password(demo.PUBLISHED_PASSWORD):  # seeded by an earlier version: anyone knew it
            user.set_password(self.password)
            user.save(update_fields=["password"])
        return user

    def _product(self, store, spec, created):
        owner = store.members.filter(role="owner").select_related("user").first().user  # the merchant seeds it
        with transaction.atomic():
            product = Product.objects.filter(store=store, title=spec["title"]).first()
            if product is None:
                product = product_create(
                    store=store, actor=owner,
                    title=spec["title"],
                    description=spec["description"],
                    giftable=spec.get("giftable", True),
                    variants=spec["variants"],
                )
                created["products"] += 1
            if product.images.exists():
                return
            for view in range(spec["photos"]):
                picture = draw_product(spec["kind"], spec["palette"], spec["label"], view=view)
                name = f"{spec['variants'][0]['sku'].lower()}-{view + 1}.jpg"
                upload = SimpleUploadedFile(name, picture, "image/jpeg")
                product_image_add(product=product, actor=owner, upload=upload)
                created["photos"] += 1

    def _print_logins(self, store):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"Demo logins (password for each: {self.password}; this install's own, see DEMO_PASSWORD)"))
        self.stdout.write(f"  merchant  {demo.MERCHANT['username']:<8}  owns {store.name} (/merchant/)")
        for shopper in demo.SHOPPERS:
            self.stdout.write(f"  shopper   {shopper['username']:<8}  {shopper['display_name']}, saved addresses")
        self.stdout.write("  admin     run `.venv/bin/python manage.py createsuperuser` for /admin/")
