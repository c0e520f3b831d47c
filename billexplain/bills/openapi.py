"""The OpenAPI 3.1 description of the JSON API, served at /api/schema.

Written by hand, so it says what DESIGN.md's contract says. tests/test_api.py checks
real responses against it: a key the API returns but this file does not describe fails there.
Built on each request so the size limits shown are the ones this server enforces.
"""

from django.conf import settings


def _nullable(kind, description, **more):
    return {"type": [kind, "null"], "description": description, **more}


def _error_response(description):
    return {
        "description": description,
        "headers": {"Cache-Control": {"$ref": "#/components/headers/NoStore"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


SOURCE = {
    "type": "object",
    "description": "What was read.",
    "required": ["kind", "pages"],
    "properties": {
        "kind": {"type": "string", "enum": ["text", "pdf", "image"]},
        "pages": {"type": "integer", "minimum": 0},
        "ocr_pages": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1},
            "description": "Pages read from a picture with OCR; present only when there were some.",
        },
    },
}

CODE = {
    "type": "object",
    "description": "A procedure or supply code found on the bill (CPT of any category, or HCPCS Level II), once.",
    "required": [
        "code",
        "code_set",
        "hcpcs_level",
        "category",
        "section",
        "subsection",
        "owner",
        "description",
        "release",
        "explanation",
        "status",
        "ended_on",
        "medicare",
    ],
    "properties": {
        "code": {"type": "string", "examples": ["99213", "J1100", "3074F"]},
        "code_set": _nullable("string", "CPT or HCPCS.", examples=["CPT", "HCPCS"]),
        "hcpcs_level": {"type": ["integer", "null"], "enum": [1, 2, None], "description": "1 for CPT, 2 for HCPCS."},
        "category": {"type": "string", "examples": ["Category I", "J codes: drugs given other than by mouth"]},
        "section": _nullable("string", "The part of the code set, in plain words."),
        "subsection": _nullable("string", "A narrower part of the section, when known."),
        "owner": {"type": "string", "description": "Who publishes the code set (AMA, CMS, ADA)."},
        "description": _nullable(
            "string", "The official CMS text (HCPCS Level II only; never the AMA's CPT descriptor)."
        ),
        "release": _nullable("string", "The CMS HCPCS release the description comes from."),
        "explanation": {"type": "string", "description": "Our plain-language explanation."},
        "status": {
            "type": "string",
            "description": "Whether the code was in use on the date of service.",
            "examples": ["active", "ended", "not yet in effect", "not in the loaded CMS file"],
        },
        "ended_on": _nullable("string", "The day the code ended, when it has.", format="date"),
        "medicare": {
            "type": ["object", "null"],
            "description": "Medicare's national Physician Fee Schedule price, as context (null before an import).",
            "required": ["year", "office", "facility", "note"],
            "properties": {
                "year": {"type": "integer"},
                "office": _nullable("string", "Price in a doctor's office, as a decimal string."),
                "facility": _nullable("string", "Price in a hospital or surgery center, as a decimal string."),
                "note": {"type": "string", "description": "What the price means, in plain words."},
            },
        },
    },
}

LINE_ITEM = {
    "type": "object",
    "description": "One line of the bill that carries a code.",
    "required": [
        "code",
        "modifiers",
        "page",
        "line",
        "date",
        "description",
        "units",
        "charge",
        "confidence",
        "reason",
        "revenue_code",
        "revenue_description",
        "ndc",
    ],
    "properties": {
        "code": {"type": "string"},
        "modifiers": {"type": "array", "items": {"type": "string"}, "examples": [["25"], ["RT", "59"]]},
        "page": {"type": "integer", "minimum": 1},
        "line": {"type": "integer", "minimum": 1},
        "date": _nullable("string", "The date of service.", format="date"),
        "description": _nullable("string", "The line's own words, as printed on the bill."),
        "units": {"type": ["integer", "null"], "minimum": 0},
        "charge": _nullable("string", "The amount, as a decimal string.", pattern=r"^-?\d+\.\d{2}$"),
        "confidence": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "How sure we are that this is a procedure code.",
        },
        "reason": {"type": "string", "description": "Why we took it for a code."},
        "revenue_code": _nullable("string", "The hospital revenue code printed on the line (4 digits)."),
        "revenue_description": _nullable("string", "The hospital department the revenue code names."),
        "ndc": _nullable("string", "The drug package number (NDC) printed with the line."),
    },
}

UNCODED_LINE = {
    "type": "object",
    "description": "A charge printed with no code beside it: ask the billing office for its code.",
    "required": ["page", "line", "date", "description", "charge", "revenue_code", "revenue_description"],
    "properties": {
        "page": {"type": "integer", "minimum": 1},
        "line": {"type": "integer", "minimum": 1},
        "date": _nullable("string", "The date on the line.", format="date"),
        "description": {"type": "string"},
        "charge": {"type": "string", "pattern": r"^-?\d+\.\d{2}$"},
        "revenue_code": _nullable("string", "The hospital revenue code printed on the line."),
        "revenue_description": _nullable("string", "The hospital department the revenue code names."),
    },
}

CHECK = {
    "type": "object",
    "description": "Something worth asking the billing office about. A fact and a question, never a verdict.",
    "required": ["kind", "code", "page", "line", "message", "question"],
    "properties": {
        "kind": {
            "type": "string",
            "enum": ["duplicate", "ended", "not_listed", "quality_code_charged", "high_charge", "no_code"],
        },
        "code": _nullable("string", "The code the check is about (none for a line without a code)."),
        "page": {"type": "integer", "minimum": 1},
        "line": {"type": "integer", "minimum": 1},
        "message": {"type": "string"},
        "question": {"type": "string", "description": "A question the patient can ask."},
    },
}

DIAGNOSIS = {
    "type": "object",
    "description": "An ICD-10-CM diagnosis code: why a service was done. Never a procedure code.",
    "required": ["code", "description"],
    "properties": {
        "code": {"type": "string", "examples": ["E11.65"]},
        "description": _nullable("string", "The official ICD-10-CM description (in English), when the code is known."),
    },
}

WARNING = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string", "description": "Something the patient should know or check."}},
}

EXPLANATION = {
    "type": "object",
    "description": "The same object `manage.py explain --json` prints for a file.",
    "required": ["source", "codes", "line_items", "diagnosis_codes", "uncoded_lines", "checks", "warnings"],
    "properties": {
        "file": {"type": "string", "description": "The uploaded file's name; present only for an upload."},
        "source": {"$ref": "#/components/schemas/Source"},
        "codes": {"type": "array", "items": {"$ref": "#/components/schemas/Code"}},
        "line_items": {"type": "array", "items": {"$ref": "#/components/schemas/LineItem"}},
        "diagnosis_codes": {"type": "array", "items": {"$ref": "#/components/schemas/DiagnosisCode"}},
        "uncoded_lines": {"type": "array", "items": {"$ref": "#/components/schemas/UncodedLine"}},
        "checks": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}},
        "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Warning"}},
    },
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status, repeated."},
                "message": {"type": "string", "description": "What went wrong, written for a patient."},
            },
        }
    },
}


def build():
    file_mb = settings.BILL_UPLOAD_MAX_BYTES / (1024 * 1024)
    text = {
        "type": "string",
        "maxLength": settings.BILL_TEXT_MAX_CHARS,
        "description": "The text of the bill, as printed.",
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "billexplain",
            "version": "1.0.0",
            "summary": "Explains the codes on a medical bill in plain language.",
            "description": (
                "Send the text of a medical bill, or its PDF or photo, and get back every procedure and "
                "supply code on it with a plain-language explanation. The bill is read in memory and "
                "forgotten: it is never stored or logged. This is not medical or legal advice."
            ),
        },
        "paths": {
            "/api/explain": {
                "post": {
                    "operationId": "explainBill",
                    "summary": "Explain one bill",
                    "description": (
                        "Send exactly one of `text` or `file`. The answer is the same JSON object "
                        "`manage.py explain --json` prints. No CSRF token or login is needed; requests "
                        "may be rate limited (429)."
                    ),
                    "security": [],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "text": text,
                                        "file": {
                                            "type": "string",
                                            "contentMediaType": "application/octet-stream",
                                            "description": (
                                                f"A PDF, a photo (JPEG, PNG, TIFF, WEBP or HEIC) or a .txt file, "
                                                f"of up to {file_mb:g} MB. The type is read from the bytes; "
                                                "a text file needs a name ending in .txt."
                                            ),
                                        },
                                    },
                                    "oneOf": [{"required": ["text"]}, {"required": ["file"]}],
                                },
                                "encoding": {
                                    "file": {
                                        "contentType": "application/pdf, image/*, text/plain, application/octet-stream"
                                    }
                                },
                            },
                            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/BillText"}},
                            "application/json": {"schema": {"$ref": "#/components/schemas/BillText"}},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The bill, explained.",
                            "headers": {"Cache-Control": {"$ref": "#/components/headers/NoStore"}},
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Explanation"}}},
                        },
                        "400": _error_response(
                            "Nothing was sent, both text and a file were sent, the JSON is not valid, "
                            "or the bill could not be read."
                        ),
                        "405": {
                            **_error_response("Only POST is allowed."),
                            "headers": {
                                "Allow": {"schema": {"type": "string", "const": "POST"}},
                                "Cache-Control": {"$ref": "#/components/headers/NoStore"},
                            },
                        },
                        "413": _error_response(
                            f"The file is larger than {file_mb:g} MB, or the text is longer than "
                            f"{settings.BILL_TEXT_MAX_CHARS:,} characters."
                        ),
                        "415": _error_response(
                            "The request is not multipart/form-data, application/x-www-form-urlencoded or "
                            "application/json, or the file is not a PDF, a photo or a .txt file."
                        ),
                        "429": {
                            **_error_response("Too many requests; wait and try again."),
                            "headers": {
                                "Retry-After": {
                                    "description": "Seconds to wait, when known.",
                                    "schema": {"type": "integer", "minimum": 0},
                                },
                                "Cache-Control": {"$ref": "#/components/headers/NoStore"},
                            },
                        },
                        "500": _error_response("Something went wrong on our side."),
                    },
                }
            },
            "/api/schema": {
                "get": {
                    "operationId": "getSchema",
                    "summary": "This OpenAPI description",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI 3.1 description of this API.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "BillText": {"type": "object", "required": ["text"], "properties": {"text": text}},
                "Explanation": EXPLANATION,
                "Source": SOURCE,
                "Code": CODE,
                "LineItem": LINE_ITEM,
                "DiagnosisCode": DIAGNOSIS,
                "UncodedLine": UNCODED_LINE,
                "Check": CHECK,
                "Warning": WARNING,
                "Error": ERROR,
            },
            "headers": {
                "NoStore": {
                    "description": "Answers about a bill are never cached.",
                    "schema": {"type": "string", "const": "no-store"},
                }
            },
        },
    }
