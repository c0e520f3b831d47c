"""Small PDFs made by the tests themselves (reportlab), so no real bill is ever needed."""

import io

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas


def pdf_with_rows(rows, header=("Date", "CPT/HCPCS", "Description", "Charge"), pages=1):
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=letter)
    columns = (50, 130, 220, 480)
    for _ in range(pages):
        sheet.setFont("Helvetica", 10)
        sheet.drawString(50, 750, "Lakeside Clinic, 12 Harbor Road, Springfield, IL 62704")
        sheet.drawString(50, 735, "Account # 55123   Statement date 03/20/2025")
        for x, label in zip(columns, header, strict=True):
            sheet.drawString(x, 700, label)
        for index, row in enumerate(rows):
            for x, value in zip(columns, row, strict=True):
                sheet.drawString(x, 680 - 16 * index, value)
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def pdf_with_form_fields(values):
    """A claim form whose codes exist only as filled AcroForm fields, not as page text."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=letter)
    sheet.drawString(50, 750, "HEALTH INSURANCE CLAIM FORM")
    for index, (date_text, code, modifier, charge) in enumerate(values):
        y = 600 - 24 * index
        for name, x, width, value in (
            ("date", 50, 70, date_text),
            ("cpt", 140, 50, code),
            ("mod", 200, 24, modifier),
            ("charge", 300, 60, charge),
        ):
            sheet.acroForm.textfield(
                name=f"{name}{index}", value=value, x=x, y=y, width=width, height=16, borderWidth=0, fontSize=9
            )
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()
