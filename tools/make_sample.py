"""Typeset resources/sample/folioscope-sample.pdf, the document `make run` opens first.

The text is original to this project. Run: .venv/bin/python tools/make_sample.py
"""

from pathlib import Path

import pymupdf

HTML = """
<h1>Keepers of the Light</h1>
<p><i>A short history of lighthouses and the people who tended them.</i></p>

<h2>1. Fire on the headland</h2>
<p>Long before anyone built a tower, sailors steered by fires lit on hills near dangerous
water. A fire shows a direction at night but says little about distance, and a wet night
could put it out. The oldest famous light, the Pharos of Alexandria, was finished around 280 BC
on an island at the mouth of the harbour. Ancient writers claimed that its fire could be seen
from far out at sea, and the tower stood, damaged by earthquakes, for more than a thousand
years.</p>
<p>Medieval lights were usually kept by monks or by towns that profited from trade. A coal fire
in an iron basket burned through a tonne of fuel on a long winter night, and keeping it alight
in a gale was hard, dirty work.</p>

<h2>2. Lamps, mirrors and lenses</h2>
<p>Oil lamps replaced open fires in the eighteenth century. The Argand lamp, with a hollow wick
and a glass chimney, burned far brighter and cleaner than a candle. Curved mirrors behind the
lamp threw its light toward the sea instead of the sky.</p>
<p>The great step came in 1822, when the French physicist Augustin Fresnel presented a lens
built from concentric rings of glass prisms. A Fresnel lens gathers most of the light of a lamp
into a beam, yet it is thin and light compared with a solid lens of the same power. Lenses were
graded by order: a first-order lens stood taller than a person and served coastal lights, while
a sixth-order lens was small enough for harbours and rivers.</p>

<h2>3. Telling one light from another</h2>
<p>A sailor who sees a light must know which light it is. Engineers therefore gave each tower a
character: a fixed light, a flash every few seconds, groups of flashes, or coloured sectors that
turn red when a ship strays toward rocks. Rotating lenses floated on baths of mercury so that a
clockwork driven by falling weights could turn several tonnes of glass smoothly.</p>
<p>By day a tower is recognised by its shape and its paint: bands, spirals or checks chosen so
that neighbouring towers never look alike. Published lists of lights describe every character,
height and range, and navigators still carry them.</p>

<h2>4. The keepers</h2>
<p>Keeping a light meant trimming wicks, polishing brass and lenses, winding the clockwork every
few hours and writing the weather in the log. On rock stations far from shore, keepers worked in
teams of three and were relieved by boat, when the sea allowed. Storms could keep a relief boat
away for weeks.</p>
<p>Many stations were family homes. Children rowed to school, and when a keeper fell ill his
wife or daughter often kept the light burning. Some of the best-known keepers in the records are
women who ran a station for decades.</p>

<h2>5. Automation</h2>
<p>Electric lamps arrived at the end of the nineteenth century, and later automatic lamp
changers, fog detectors and radio control made a resident keeper unnecessary. Most lighthouses
were automated in the second half of the twentieth century; the last keepers in several
countries left their towers in the 1980s and 1990s.</p>
<p>Satellite navigation has reduced the role of lights, yet authorities keep many of them
lit because a light needs no power on board the ship and cannot be jammed. Many old towers are
now museums, and their lenses are displayed as the fine instruments they are.</p>
"""

CSS = "body {font-family: serif; font-size: 11pt; line-height: 1.35} h1 {font-size: 22pt} " \
      "h2 {font-size: 14pt; margin-top: 10pt} p {text-align: justify; margin-bottom: 6pt}"


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "resources" / "sample" / "folioscope-sample.pdf"
    story = pymupdf.Story(html=HTML, user_css=CSS)
    writer = pymupdf.DocumentWriter(str(out))
    page = pymupdf.paper_rect("a5")
    where = page + (48, 56, -48, -56)
    more = True
    while more:
        device = writer.begin_page(page)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    doc = pymupdf.open(out)
    doc.set_metadata({"title": "Keepers of the Light", "author": "Folioscope"})
    toc = [[1, "Keepers of the Light", 1]]
    for title in ("1. Fire on the headland", "2. Lamps, mirrors and lenses",
                  "3. Telling one light from another", "4. The keepers", "5. Automation"):
        page_no = next(p.number for p in doc if p.search_for(title))
        toc.append([2, title, page_no + 1])
    doc.set_toc(toc)
    doc.saveIncr()
    print(out, doc.page_count, "pages")


if __name__ == "__main__":
    main()
