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


def test_a_stray_mark_between_two_columns_of_a_table_does_not_part_them():
    boxes, labels = [], []
    for k, (rate, gross) in enumerate([("MWST%", "Brutto"), ("A 7 %", "9,51"), ("B 19 %", "6,18")]):
        y = 100 + k * PITCH
        boxes += [(10, y, 200, y + HEIGHT), (600, y, 700, y + HEIGHT)]
        labels += [rate, gross]
    boxes.append((400, 100 + 6, 420, 100 + 14))  # an "=" sign, half a line high, on the header row
    labels.append("=")
    blocks, _ = _text(boxes, labels)
    assert blocks[:3] == ["MWST% Brutto", "A 7 % 9,51", "B 19 % 6,18"]


def test_a_lone_label_at_the_left_edge_reads_with_the_values_of_its_row():
    boxes = [(400, 100, 500, 100 + HEIGHT), (600, 100, 700, 100 + HEIGHT),  # Netto MwSt.
             (10, 100 + PITCH, 200, 100 + PITCH + HEIGHT),  # 1 19,00 %
             (400, 100 + PITCH, 500, 100 + PITCH + HEIGHT), (600, 100 + PITCH, 700, 100 + PITCH + HEIGHT)]
    labels = ["Netto", "MwSt.", "1 19,00 %", "50,38", "9,58"]
    blocks, _ = _text(boxes, labels)
    assert blocks == ["Netto MwSt.", "1 19,00 % 50,38 9,58"]


def test_columns_whose_rows_skip_a_row_of_the_item_column_still_line_up():
    boxes, labels = [], []
    for k in range(2):  # an item's number line and its name line; quantity and price on the first
        y = 100 + 2 * k * PITCH
        boxes += [(10, y, 300, y + HEIGHT), (30, y + PITCH, 250, y + PITCH + HEIGHT),
                  (350, y, 420, y + HEIGHT), (500, y, 580, y + HEIGHT)]
        labels += [f"{k} 2353002{k} 03", f"name {k}", "2,00", f"{k}4,99"]
    boxes += [(10, 100 - PITCH, 300, 100 - PITCH + HEIGHT), (350, 100 - PITCH, 420, 100 - PITCH + HEIGHT),
              (500, 100 - PITCH, 580, 100 - PITCH + HEIGHT)]
    labels += ["Pos Artikel-Nr.", "Menge", "€/Stk"]
    blocks, _ = _text(boxes, labels)
    assert blocks == ["Pos Artikel-Nr. Menge €/Stk", "0 23530020 03 2,00 04,99", "name 0",
                      "1 23530021 03 2,00 14,99", "name 1"]


def _form_items(n, top=100):
    """A form's numbered items: a label of three lines, beside it its boxes' operators level
    with the label, between two of its lines (off their grid), and a note under the boxes
    that reaches down beside the next item's first line."""
    boxes, labels = [], []
    for k in range(n):
        y = top + 80 * k
        for line in range(3):
            boxes.append((10, y + PITCH * line, 400, y + PITCH * line + HEIGHT))
            labels.append(f"label {k}.{line}")
        boxes += [(600, y + 30, 620, y + 54), (700, y + 30, 800, y + 54), (600, y + 60, 1000, y + 84)]
        labels += ["=", "x 0.124 =", f"note {k}"]
    return boxes, labels


def test_a_forms_labels_read_each_with_its_boxes_and_note_not_all_labels_first():
    boxes, labels = _form_items(4)
    blocks, _ = _text(boxes, labels)
    assert " ".join(blocks).split(" ") == " ".join(
        f"label {k}.0 label {k}.1 label {k}.2 = x 0.124 = note {k}" for k in range(4)).split(" ")


def test_a_column_of_text_beside_a_column_of_sections_is_still_read_after_it():
    boxes, labels = [], []  # a payment slip's receipt (left) and payment part (right): names, addresses
    for k in range(3):
        y = 100 + 80 * k
        for line in range(3):
            boxes.append((10, y + PITCH * line, (300, 140, 120)[line], y + PITCH * line + HEIGHT))
            labels.append(f"left{k}.{line}")
    for line in range(9):  # on a grid of its own: larger type
        boxes.append((500, 100 + 28 * line, (800, 640, 660, 620)[line % 4], 130 + 28 * line))
        labels.append(f"right{line}")
    blocks, _ = _text(boxes, labels)
    assert " ".join(blocks).split() == [f"left{k}.{line}" for k in range(3) for line in range(3)] + [
        f"right{line}" for line in range(9)]
