"""Our own bills as a scanner or a phone gives them back: coarse, tilted, blurred, grainy, compressed.

Used by the OCR tests and by the accuracy benchmark's degraded corpus, so both measure the same damage.
"""

import io
import random

import pypdfium2
from PIL import Image, ImageChops, ImageFilter
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas


def page_pictures(pdf, dpi):
    """Every page of a PDF (a path or bytes) as a grey picture at `dpi`."""
    document = pypdfium2.PdfDocument(pdf)
    document.init_forms()  # a filled claim form's fields are printed on paper too
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in document]
    finally:
        document.close()


def image_pdf(pictures):
    """An image-only PDF, one letter-size page a picture, as a scanner makes it: no text layer at all."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=letter, invariant=1)
    for picture in pictures:
        sheet.drawImage(ImageReader(picture), 0, 0, width=letter[0], height=letter[1])
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def rescanned(pdf, dpi):
    """A bill printed and scanned at `dpi`: an image-only PDF whose page pictures have that resolution."""
    return image_pdf(page_pictures(pdf, dpi))


def noise(size, amount=255, seed=7):
    """Grey speckles around mid-grey, `amount` levels either way; the same every run."""
    speckles = Image.frombytes("L", size, random.Random(seed).randbytes(size[0] * size[1]))
    return speckles.point(lambda v: round(128 + (v - 128) * amount / 128))


def photographed(image, angle=3.0, blur=0.9, grain=40, shadow=0.45):
    """As a phone sees a page: tilted, a little out of focus, grainy, darker towards one side."""
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(blur))
    image = ImageChops.subtract(image, noise(image.size, grain), 1, 128)  # paper minus grain, about its own shade
    light = Image.linear_gradient("L").rotate(90).resize(image.size)  # bright on the left, dark on the right
    return ImageChops.multiply(image, light.point(lambda v: round(255 - v * shadow)))


def encoded(image, kind="PNG", **options):
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **options)
    return buffer.getvalue()


def tilted_scan(pdf, dpi=150, angle=1.5, blur=0.7):
    """A page fed into the scanner a little askew, slightly out of focus, as an image-only PDF."""
    pages = [
        picture.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255).filter(ImageFilter.GaussianBlur(blur))
        for picture in page_pictures(pdf, dpi)
    ]
    return image_pdf(pages)


def phone_photos(pdf, dpi=120, quality=70):
    """Each page as a JPEG a phone takes of it: tilted, soft, grainy, shadowed, compressed."""
    return [encoded(photographed(p, 2.5, 1.0, 30, 0.35), "JPEG", quality=quality) for p in page_pictures(pdf, dpi)]
