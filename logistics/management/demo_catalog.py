"""What `manage.py seed_demo` creates: one tea house, its products, and the demo accounts.

Prices are CNY minor units (fen). Jasmine Dragon Pearls is sold out (every variant at stock 0);
the bamboo tray is not giftable (too big to post as a surprise). The tasting cup, the spring tin and
the oolong pouch have options at one price, so switching options on a card can be tried.
"""

# The password earlier versions gave every install's demo accounts, published in their README:
# seed_demo replaces it with the install's own (settings.DEMO_PASSWORD) wherever it is still in use.
PUBLISHED_PASSWORD = "lantern-demo-2024"  # noqa: S105  # nosec B105: a known-bad password, kept only to be replaced

MERCHANT = {"username": "merchant", "email": "merchant@lantern-leaf.example", "display_name": "Lantern & Leaf (Mei)"}

SHOPPERS = [
    {
        "username": "alice",
        "email": "alice@example.com",
        "display_name": "Alice Wang",
        "addresses": [
            {"recipient_name": "Alice Wang", "phone": "13800138001", "country": "CN", "region": "Shanghai",
             "city": "Shanghai", "district": "Xuhui", "street": "88 Tianyaoqiao Road, Apt 1202",
             "postal_code": "200030", "is_default": True},
            {"recipient_name": "Alice Wang (office)", "phone": "13800138001", "country": "CN", "region": "Shanghai",
             "city": "Shanghai", "district": "Pudong", "street": "100 Century Avenue, Floor 23",
             "postal_code": "200120"},
        ],
    },
    {
        "username": "bob",
        "email": "bob@example.com",
        "display_name": "Bob Chen",
        "addresses": [
            {"recipient_name": "陈博 Bob Chen", "phone": "13900139002", "country": "CN", "region": "Zhejiang",
             "city": "Hangzhou", "district": "Xihu", "street": "18 Longjing Road",
             "postal_code": "310013", "is_default": True},
        ],
    },
]

STORE = {
    "slug": "lantern-leaf",
    "name": "Lantern & Leaf Tea House · 灯叶茶舍",
    "description": (
        "Small-batch teas and tea ware from the hills around Hangzhou, packed by hand and ready to send "
        "as a gift.\n杭州山间的小批量好茶与茶器，手工包装，随时可以送给朋友。"
    ),
    "ship_within_hours": 48,
}

GREEN = {"leaf": "#5f8a3c"}
SKY = {"sky": "#f6efe2", "floor": "#e3d2b4"}

# In the order the shop shows them (newest first): created in reverse.
PRODUCTS = [
    {
        "title": "West Lake Longjing · 西湖龙井",
        "description": "Pan-fired green tea from Shifeng, picked before Qingming. Chestnut-sweet, flat jade leaves.\n"
        "明前狮峰龙井，栗香清甜。",
        "kind": "tin", "label": "LONGJING", "photos": 3,
        "palette": {"main": "#2f6b4f", "accent": "#c9a227", "paper": "#fbf6ea", "ink": "#2f4a3a", **GREEN, **SKY},
        "variants": [
            {"name": "50 g tin · 50克罐装", "sku": "LJ-050", "price_minor": 8800, "stock": 40},
            {"name": "100 g tin · 100克罐装", "sku": "LJ-100", "price_minor": 16800, "stock": 25},
            {"name": "250 g gift box · 250克礼盒", "sku": "LJ-250", "price_minor": 39800, "stock": 8},
        ],
    },
    {
        "title": "Anxi Tieguanyin Oolong · 安溪铁观音",
        "description": "Rolled oolong with an orchid perfume; brews five or six times.\n兰花香浓，耐泡五六道。",
        "kind": "pouch", "label": "TIEGUANYIN", "photos": 2,
        "palette": {"main": "#8c2f39", "accent": "#6b8f3a", "paper": "#fff8ec", "ink": "#5a1f26", **GREEN, **SKY},
        "variants": [
            {"name": "100 g pouch · 100克袋装", "sku": "TGY-100", "price_minor": 6800, "stock": 60},
            {"name": "250 g pouch · 250克袋装", "sku": "TGY-250", "price_minor": 15800, "stock": 20},
        ],
    },
    {
        "title": "Yunnan Pu'er Cake 2019 · 云南普洱茶饼",
        "description": "Aged raw pu'er from old trees in Menghai, pressed into a cake and wrapped in cotton paper.\n"
        "勐海古树生普，二〇一九年压制。",
        "kind": "cake", "label": "PU'ER 2019", "photos": 2,
        "palette": {"main": "#6d4c2f", "accent": "#b3262d", "paper": "#f3ead7", "ink": "#4b2e1a",
                    "leaf": "#6d5a2f", "sky": "#efe4cf", "floor": "#c9b28b"},
        "variants": [
            {"name": "357 g cake · 357克饼", "sku": "PE-357", "price_minor": 32800, "stock": 12},
            {"name": "100 g mini cake · 100克小饼", "sku": "PE-100", "price_minor": 9800, "stock": 30},
        ],
    },
    {
        "title": "Jasmine Dragon Pearls · 茉莉龙珠",
        "description": "Green tea scented seven times with fresh jasmine, hand-rolled into pearls.\n"
        "七窨茉莉，手工揉捻成珠。 (Sold out until the summer harvest.)",
        "kind": "pearls", "label": "JASMINE", "photos": 1,
        "palette": {"main": "#3d6e8c", "accent": "#d8e6b0", "paper": "#fbfaf3", "ink": "#2c4f66", **GREEN,
                    "sky": "#eef3f1", "floor": "#cfdad3"},
        "variants": [
            {"name": "50 g jar · 50克罐装", "sku": "JP-050", "price_minor": 7800, "stock": 0},
            {"name": "120 g jar · 120克罐装", "sku": "JP-120", "price_minor": 16800, "stock": 0},
        ],
    },
    {
        "title": "Celadon Tea Cups · 龙泉青瓷杯",
        "description": "Longquan celadon cups with a crackle glaze, 80 ml each.\n龙泉青瓷开片杯，每只80毫升。",
        "kind": "cups", "label": "CELADON", "photos": 2,
        "palette": {"main": "#8fb9a8", "accent": "#e9dcc0", "paper": "#fffdf6", "ink": "#3e6b5a", **GREEN,
                    "sky": "#f2f1ea", "floor": "#d6d2c2"},
        "variants": [
            {"name": "Pair of cups · 对杯", "sku": "CUP-2", "price_minor": 12800, "stock": 15},
            {"name": "Set of four · 四只装", "sku": "CUP-4", "price_minor": 23800, "stock": 6},
        ],
    },
    {
        "title": "Bamboo Tea Tray · 竹制茶盘",
        "description": "A slatted tray that drains into a hidden basin. Large and heavy: bought for yourself, "
        "not sent as a gift.\n沥水竹茶盘，体积较大，不支持送礼。",
        "kind": "tray", "label": "BAMBOO TRAY", "photos": 2, "giftable": False,
        "palette": {"main": "#c8a165", "accent": "#7a5a2e", "paper": "#fffaf0", "ink": "#5c4320", **GREEN, **SKY},
        "variants": [
            {"name": "Small 40 cm · 小号40厘米", "sku": "TRAY-S", "price_minor": 19800, "stock": 10},
            {"name": "Large 60 cm · 大号60厘米", "sku": "TRAY-L", "price_minor": 29800, "stock": 4},
        ],
    },
    {
        "title": "Osmanthus Black Tea · 桂花红茶",
        "description": "Keemun black tea layered with golden osmanthus flowers: honey and apricot.\n"
        "祁门红茶窨桂花，蜜香杏韵。",
        "kind": "tin", "label": "OSMANTHUS", "photos": 2,
        "palette": {"main": "#9a3b2a", "accent": "#e0a526", "paper": "#fff6e0", "ink": "#6b2417",
                    "leaf": "#7a4a22", "sky": "#fbf0dc", "floor": "#e8c99a"},
        "variants": [
            {"name": "50 g tin · 50克罐装", "sku": "OBT-050", "price_minor": 5800, "stock": 50},
            {"name": "150 g tin · 150克罐装", "sku": "OBT-150", "price_minor": 14800, "stock": 18},
            {"name": "Refill pouch 150 g · 150克补充装", "sku": "OBT-R150", "price_minor": 12800, "stock": 22},
        ],
    },
    {
        "title": "Yixing Clay Teapot · 宜兴紫砂壶",
        "description": "A 180 ml zisha teapot thrown in Dingshu; seasons with every pot you brew.\n"
        "丁蜀手作紫砂壶，容量180毫升，越养越润。",
        "kind": "pot", "label": "YIXING", "photos": 3,
        "palette": {"main": "#7b3f2a", "accent": "#c98b5a", "paper": "#fbf3e8", "ink": "#52281a", **GREEN,
                    "sky": "#f4ece3", "floor": "#d9c4ad"},
        "variants": [
            {"name": "Classic shape · 经典石瓢", "sku": "POT-SP", "price_minor": 68800, "stock": 3},
            {"name": "Round shape · 圆珠", "sku": "POT-YZ", "price_minor": 58800, "stock": 5},
        ],
    },
    # Options at one price: switching between them on a card (issue 10) changes nothing but the option.
    {
        "title": "Glazed Tasting Cup · 釉色品茗杯",
        "description": "One hand-glazed 60 ml tasting cup; pick its colour.\n手工施釉品茗杯，每只60毫升，颜色任选。",
        "kind": "cups", "label": "TASTING CUP", "photos": 1,
        "palette": {"main": "#5b8fa8", "accent": "#e9dcc0", "paper": "#fffdf6", "ink": "#2f5566", **GREEN, **SKY},
        "variants": [
            {"name": "Celadon green · 青瓷绿", "sku": "TC-GRN", "price_minor": 6800, "stock": 30},
            {"name": "Sky blue · 天青", "sku": "TC-BLU", "price_minor": 6800, "stock": 30},
            {"name": "Tianmu black · 天目黑", "sku": "TC-BLK", "price_minor": 6800, "stock": 30},
        ],
    },
    {
        "title": "Spring Tea Tin · 春茶罐",
        "description": "100 g of this spring's Longjing in a lacquered tin; the tins differ only in colour.\n"
        "100克今春龙井，漆面茶罐，只有颜色不同。",
        "kind": "tin", "label": "SPRING", "photos": 1,
        "palette": {"main": "#b3262d", "accent": "#c9a227", "paper": "#fbf6ea", "ink": "#5a1f26", **GREEN, **SKY},
        "variants": [
            {"name": "Red tin · 红罐", "sku": "ST-RED", "price_minor": 12800, "stock": 25},
            {"name": "Green tin · 绿罐", "sku": "ST-GRN", "price_minor": 12800, "stock": 25},
        ],
    },
    {
        "title": "Oolong Tasting Pouch · 乌龙试饮装",
        "description": "25 g of Tieguanyin to try; choose the roast.\n25克铁观音试饮装，烘焙程度任选。",
        "kind": "pouch", "label": "OOLONG 25 G", "photos": 1,
        "palette": {"main": "#6b8f3a", "accent": "#8c2f39", "paper": "#fff8ec", "ink": "#3f5a22", **GREEN, **SKY},
        "variants": [
            {"name": "Light roast · 清香", "sku": "OTP-LT", "price_minor": 2800, "stock": 80},
            {"name": "Dark roast · 浓香", "sku": "OTP-DK", "price_minor": 2800, "stock": 80},
        ],
    },
    {
        "title": "Lantern Gift Box · 灯笼茶礼盒",
        "description": "Three of our teas in a red lantern box with a handwritten card.\n"
        "三款好茶装进红灯笼礼盒，附手写卡片。",
        "kind": "box", "label": "GIFT BOX", "photos": 2,
        "palette": {"main": "#b3262d", "accent": "#e8c15a", "paper": "#fff4e0", "ink": "#7a1a1f", **GREEN,
                    "sky": "#fbeee6", "floor": "#e9c9b8"},
        "variants": [
            {"name": "Three teas · 三味装", "sku": "BOX-3", "price_minor": 19800, "stock": 20},
            {"name": "Three teas + two cups · 三茶两杯", "sku": "BOX-3C", "price_minor": 32800, "stock": 10},
        ],
    },
]
