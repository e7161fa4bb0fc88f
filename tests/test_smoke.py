from app.services.counter.passport import passport
from app.services.counter.selling import SaleItem, sell
from app.services.stock.receiving import ReceiptLine, receive
from tests.conftest import IMEIS


def test_receive_sell_passport(shop):
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:2], cost="300")])
    shop.clock.advance(days=3)
    sale = sell(shop.cashier, [SaleItem(serial=IMEIS[0])])
    p = passport(IMEIS[0], today=shop.clock.now.date())
    assert p.state == "sold"
    assert p.sale.number == sale.number
    assert [h.event for h in p.history] == ["receive", "sell"]
