"""Reading order of OCR lines from their boxes alone (no models): rows against columns."""

from folioscope.ingest.layout import reading_order

PITCH, HEIGHT = 22, 24  # receipt lines: boxes taller than their spacing, so they overlap


def _text(boxes, labels):
    blocks, info = reading_order(boxes)
    return [" ".join(labels[i] for i in block.indices) for block in blocks], info


def _receipt_items(n, top=100):
    boxes, labels = [], []
    for k in range(n):
        y = top + k * PITCH
        boxes.append((10, y, 200 + 15 * (k % 5), y + HEIGHT))
        labels.append(f"item {k}")
        boxes.append((700, y, 780, y + HEIGHT))
        labels.append(f"{k},99")
    return boxes, labels


def test_a_column_of_amounts_is_not_prose_so_items_read_with_their_prices():
    boxes, labels = _receipt_items(8)
    blocks, info = _text(boxes, labels)
    assert blocks == [f"item {k} {k},99" for k in range(8)]
    assert info["order"] == "rows"


def test_a_price_on_every_other_row_still_lines_up_with_its_item():
    boxes, labels = [], []
    for k in range(4):  # an item's code and name, then its quantity on the next row
        y = 100 + 2 * k * PITCH
        boxes += [(10, y, 300, y + HEIGHT), (10, y + PITCH, 150, y + PITCH + HEIGHT), (700, y, 780, y + HEIGHT)]
        labels += [f"item {k}", f"qty {k}", f"{k},99"]
    blocks, _ = _text(boxes, labels)
    assert blocks[:3] == ["item 0 0,99", "qty 0", "item 1 1,99"]


def test_a_lone_amount_at_the_right_edge_reads_beside_its_label():
    boxes = [(10, 100, 250, 100 + HEIGHT), (700, 100, 780, 100 + HEIGHT)]
    labels = ["ZU ZAHLEN EURO", "11,33"]
    for k in range(1, 5):  # short card payment lines under it, nothing on the right
        y = 100 + k * PITCH
        boxes.append((10, y, 120 + 15 * k, y + HEIGHT))
        labels.append(f"card line {k}")
    blocks, _ = _text(boxes, labels)
    assert blocks[0] == "ZU ZAHLEN EURO 11,33"


def test_two_columns_of_prose_still_read_column_by_column():
    boxes, labels = [], []
    for column, x0 in enumerate((10, 420)):
        for k in range(8):
            y = 100 + k * PITCH
            boxes.append((x0, y, x0 + 380 - (60 if k == 7 else 0), y + HEIGHT))
            labels.append(f"c{column}l{k}")
    blocks, info = _text(boxes, labels)
    text = " ".join(blocks).split()
    assert text == [f"c0l{k}" for k in range(8)] + [f"c1l{k}" for k in range(8)]
    assert info["order"] == "columns"
