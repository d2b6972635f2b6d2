"""The one reason-code table: every finding the contracts package can produce.

Each entry is ``{code, rule_id, citation, severity, message}``. The code names the failure
(``AUTH_EXPIRED``); the rule ID (``AUTH-02``) points into RULES.md; the message is a plain sentence
a requester can act on and never carries PHI. Codes with a suffix (``AUTH_MISSING_ELEMENT:purpose``)
have one entry per suffix. The table is exported as JSON so the API and the UI show the same words.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from types import MappingProxyType

from contracts.errors import UnknownReasonCode


class Severity(StrEnum):
    """What a finding does: ``block`` rejects, ``hold`` waits for a person, ``warn`` informs."""

    BLOCK = "block"
    HOLD = "hold"
    WARN = "warn"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    rule_id: str
    citation: str
    severity: Severity
    message: str


_B, _H, _W = Severity.BLOCK, Severity.HOLD, Severity.WARN

AUTH_ELEMENTS: dict[str, str] = {
    "description": "a description of the information to be disclosed",
    "discloser": "the name of the person or organisation allowed to disclose",
    "recipient": "the name of the recipient",
    "purpose": "the purpose of the disclosure",
    "expiration": "an expiration date or expiration event",
    "signature": "the signature of the individual or their representative",
    "signature_date": "the date of signature",
}
AUTH_STATEMENTS: dict[str, str] = {
    "revocation_right": "the right to revoke in writing and how to do so",
    "conditioning": "whether treatment or payment may be conditioned on signing",
    "redisclosure": "that disclosed information may be redisclosed and lose protection",
}
BAA_CLAUSES: dict[str, str] = {
    "permitted_uses": "the permitted and required uses of the information",
    "safeguards": "appropriate safeguards and Security Rule compliance",
    "reporting": "reporting of improper uses and disclosures, including breaches",
    "subcontractor_flow_down": "subcontractors agreeing to the same restrictions",
    "individual_rights": "support for access, amendment and accounting of disclosures",
    "hhs_access": "making books and records available to HHS",
    "return_destroy": "return or destruction of the information at termination",
    "termination": "termination if the business associate breaches the agreement",
}
P2_ELEMENTS: dict[str, str] = {
    "patient_name": "the name of the patient",
    "discloser": "the name or designation of the program or person allowed to disclose",
    "description": "a description of the substance use disorder information to be disclosed",
    "recipient": "the name of the recipient",
    "purpose": "the purpose of the disclosure",
    "revocation_statement": "the right to revoke the consent and how to do so",
    "expiration": "an expiration date, event or condition",
    "signature": "the signature of the patient or their representative",
    "signature_date": "the date of signature",
}
ASSURANCE_ITEMS: dict[str, str] = {
    "notice_copy": "a copy of the written notice sent to the individual",
    "proof_of_mailing": "proof that the notice was mailed or delivered",
}

_C_AUTH_C1 = "45 CFR 164.508(c)(1), (b)(2)(ii)"
_C_AUTH_C2 = "45 CFR 164.508(c)(2)"
_C_BA01 = "45 CFR 164.502(e), 164.504(e)"
_C_BA02 = "45 CFR 164.504(e)(2)"
_C_LEG02 = "45 CFR 164.512(e)(1)(ii)-(iv)"
_C_ACC01 = "45 CFR 164.524(b)(2)"
_C_ACC05 = "45 CFR 164.524(c)(3)(ii); Ciox Health v. Azar (D.D.C. 2020)"
_C_P201 = "42 CFR 2.31; 2.32"

# A table reads best as a table: ruff format would put every field on its own line.
# fmt: off
_FIXED: tuple[Reason, ...] = (
    Reason("AUTH_EXPIRED", "AUTH-02", "45 CFR 164.508(b)(2)(i)", _B,
           "The authorization has expired. Send a new, currently valid authorization."),
    Reason("AUTH_REP_AUTHORITY", "AUTH-04", "45 CFR 164.508(c)(1)(vi); 164.502(g); 164.514(h)", _B,
           "The authorization was signed by a representative. State the representative's "
           "authority and attach the document that grants it (power of attorney, guardianship or"
           " letters)."),
    Reason("AUTH_REVOKED", "AUTH-05", "45 CFR 164.508(b)(5), (b)(2)(iii)", _B,
           "The authorization was revoked in writing. No further records are released under it."),
    Reason("AUTH_FALSE_INFO", "AUTH-07", "45 CFR 164.508(b)(2)(v); 164.514(h)", _H,
           "Identifying details on the authorization do not match our records. A staff member "
           "will review it and may contact you."),
    Reason("PN_EXCLUDED", "AUTH-06", "45 CFR 164.508(a)(2), (b)(3)(ii)", _W,
           "Psychotherapy notes were left out. They need their own authorization that covers "
           "only psychotherapy notes."),
    Reason("SCOPE_RECIPIENT", "AUTH-08", "45 CFR 164.508(a)(1)", _B,
           "The recipient or delivery address differs from the recipient named on the legal "
           "basis. Deliver to the named recipient or send a document naming this recipient."),
    Reason("SCOPE_DOCUMENT_TYPE", "AUTH-08", "45 CFR 164.508(a)(1)", _W,
           "A record of a type the legal basis does not cover was left out."),
    Reason("SCOPE_DATE", "AUTH-08", "45 CFR 164.508(a)(1)", _W,
           "A record dated outside the period the legal basis covers was left out."),
    Reason("ACC_EXTENSION_LATE", "ACC-01", _C_ACC01, _B,
           "An extension must be sent in writing before the original 30-day due date has passed."),
    Reason("ACC_EXTENSION_TOO_LONG", "ACC-01", _C_ACC01, _B,
           "An extension may add at most 30 days to the original due date."),
    Reason("ACC_EXTENSION_REPEATED", "ACC-01", _C_ACC01, _B,
           "Only one extension is allowed for an access request."),
    Reason("ACC_EXTENSION_REASON_MISSING", "ACC-01", _C_ACC01, _B,
           "An extension letter must state the reasons for the delay."),
    Reason("ACC_OVERDUE", "ACC-01", _C_ACC01, _W,
           "The access request is past its due date."),
    Reason("DIRECTIVE_NOT_WRITTEN", "ACC-05", _C_ACC05, _B,
           "A directive to send records to a third party must be in writing."),
    Reason("DIRECTIVE_NOT_SIGNED", "ACC-05", _C_ACC05, _B,
           "A directive to send records to a third party must be signed by the individual."),
    Reason("DIRECTIVE_RECIPIENT_MISSING", "ACC-05", _C_ACC05, _B,
           "A directive must clearly name the person or organisation to receive the records."),
    Reason("DIRECTIVE_DESTINATION_MISSING", "ACC-05", _C_ACC05, _B,
           "A directive must say where to send the records (address or e-mail)."),
    Reason("DIRECTIVE_ROUTED_AS_AUTHORIZATION", "ACC-05", _C_ACC05, _H,
           "This request covers paper copies or records outside the electronic health record, so"
           " it is processed as a HIPAA authorization and priced under state law."),
    Reason("COURT_ORDER_ITEM_NOT_NAMED", "LEG-01", "45 CFR 164.512(e)(1)(i)", _W,
           "A record the court order does not expressly name was left out."),
    Reason("SUBPOENA_ASSURANCE_MISSING", "LEG-02", _C_LEG02, _H,
           "A subpoena without a court order needs either proof that the individual was notified"
           " and did not object in time, or a qualified protective order."),
    Reason("SUBPOENA_OBJECTION_PERIOD_OPEN", "LEG-02", _C_LEG02, _H,
           "The time for the individual to object has not yet passed. Records are held until it "
           "has."),
    Reason("SUBPOENA_OBJECTION_PENDING", "LEG-02", _C_LEG02, _H,
           "An objection by the individual is pending. Send proof it was resolved by the court."),
    Reason("QPO_INVALID", "LEG-03", "45 CFR 164.512(e)(1)(v)", _H,
           "The protective order must both forbid use outside this litigation and require the "
           "records to be returned or destroyed at its end."),
    Reason("SUBPOENA_MN_REVIEW", "LEG-04", "45 CFR 164.502(b), 164.514(d)", _W,
           "A reviewer checks that only the minimum necessary records are released for this "
           "subpoena."),
    Reason("LEGAL_PROCESS_P2_EXCLUDED", "LEG-04", "42 CFR 2.61, 2.64, 2.65", _W,
           "Substance use disorder treatment records were left out: a subpoena alone does not "
           "allow their release; a court order under 42 CFR 2.64 or 2.65 or the patient's "
           "consent is needed."),
    Reason("P2_CONSENT_REQUIRED", "P2-01", _C_P201, _B,
           "Substance use disorder treatment records need a consent that meets 42 CFR 2.31. A "
           "general authorization is not sufficient."),
    Reason("P2_CONSENT_EXPIRED", "P2-01", _C_P201, _B,
           "The consent for substance use disorder records has expired."),
    Reason("P2_CONSENT_REVOKED", "P2-01", _C_P201, _B,
           "The consent for substance use disorder records was revoked."),
    Reason("P2_PROCEEDINGS_AGAINST_PATIENT", "P2-03", "42 CFR 2.32; part 2 subpart E", _B,
           "Substance use disorder records cannot be used in proceedings against the patient "
           "without the patient's consent or a court order under 42 CFR 2.64 or 2.65."),
    Reason("ST_HIV_RELEASE_REQUIRED", "ST-01", "10 NYCRR 63.5; 9 NYCRR 367.6(d)", _W,
           "HIV-related records were left out. They need the state-approved HIV release form."),
    Reason("ST_SPECIAL_RELEASE_REQUIRED", "ST-01", "state law, as configured in the site rules", _W,
           "Records in a category that state law protects were left out. They need the special "
           "release form that state law requires."),
    Reason("MINOR_CONSENTED_EXCLUDED", "ST-02",
           "45 CFR 164.502(g)(3); e.g. Tex. Fam. Code 32.003-.004", _W,
           "Records of care the minor consented to on their own were left out; a parent or "
           "guardian cannot authorize their release."),
    Reason("ST_ATTESTATION_REQUIRED", "ST-04", "state or institutional rule; Purl v. HHS", _H,
           "A signed attestation required by state or hospital policy for this kind of request "
           "is missing. Send the attestation."),
    Reason("BAA_MISSING", "BA-01", _C_BA01, _B,
           "This vendor has no business associate agreement on file."),
    Reason("BAA_NOT_YET_EFFECTIVE", "BA-01", _C_BA01, _B,
           "The vendor's business associate agreement is not yet in effect on this date."),
    Reason("BAA_EXPIRED", "BA-01", _C_BA01, _B,
           "The vendor's business associate agreement has expired. A renewed agreement is "
           "needed."),
    Reason("BAA_TERMINATED", "BA-01", _C_BA01, _B,
           "The vendor's business associate agreement was terminated."),
    Reason("BAA_FUNCTION_NOT_COVERED", "BA-01", _C_BA01, _B,
           "The vendor's business associate agreement does not cover this service."),
    Reason("BAA_BREACH_NOTICE_DAYS", "BA-02", "45 CFR 164.504(e)(2)(ii)(C); 164.410", _W,
           "The agreement should require breach notice to the hospital within 60 days."),
    Reason("LEGAL_BASIS_MISSING", "BA-03", "45 CFR 160.103; 164.502(a)", _B,
           "This recipient needs a legal basis (authorization, directive or legal process). A "
           "business associate agreement does not apply to this recipient."),
    Reason("RETENTION_NOT_ELAPSED", "RET-01", "45 CFR 164.530(j)(2); 164.508(b)(6)", _B,
           "This record must be kept for six years from its creation or from when it was last "
           "in effect, whichever is later; it cannot be deleted yet."),
    Reason("MN_JUSTIFICATION_REQUIRED", "MN-01", "45 CFR 164.502(b); 164.514(d)", _H,
           "A request for the complete record must explain why the whole record is the minimum "
           "necessary. A reviewer must approve it with a note."),
)
# fmt: on


def _family(
    prefix: str, items: dict[str, str], *, rule: str, cite: str, severity: Severity, lead: str
) -> tuple[Reason, ...]:
    return tuple(
        Reason(f"{prefix}:{key}", rule, cite, severity, f"{lead} {text}.")
        for key, text in items.items()
    )


# fmt: off
_FAMILIES: tuple[Reason, ...] = (
    *_family("AUTH_MISSING_ELEMENT", AUTH_ELEMENTS, rule="AUTH-01", cite=_C_AUTH_C1, severity=_B,
             lead="The authorization is missing"),
    *_family("AUTH_MISSING_STATEMENT", AUTH_STATEMENTS, rule="AUTH-03", cite=_C_AUTH_C2,
             severity=_B, lead="The authorization is missing the statement about"),
    *_family("BAA_INCOMPLETE", BAA_CLAUSES, rule="BA-02", cite=_C_BA02, severity=_B,
             lead="The business associate agreement lacks a clause on"),
    *_family("P2_CONSENT_MISSING_ELEMENT", P2_ELEMENTS, rule="P2-01", cite=_C_P201, severity=_B,
             lead="The consent for substance use disorder records is missing"),
    *_family("SUBPOENA_ASSURANCE_INCOMPLETE", ASSURANCE_ITEMS, rule="LEG-02", cite=_C_LEG02,
             severity=_H, lead="The notice assurance for the subpoena is missing"),
)
# fmt: on

REASONS: MappingProxyType[str, Reason] = MappingProxyType(
    {r.code: r for r in (*_FIXED, *_FAMILIES)}
)


def reason(code: str) -> Reason:
    """The table entry for ``code``; an unknown code is a programming error."""
    try:
        return REASONS[code]
    except KeyError:
        raise UnknownReasonCode("unknown reason code", code=code) from None


def reason_table() -> list[dict[str, str]]:
    """The table as plain dicts, sorted by code."""
    return [
        {k: str(v) for k, v in asdict(r).items()}
        for r in sorted(REASONS.values(), key=lambda r: r.code)
    ]


def reason_table_json() -> str:
    """The table as JSON (what the gateway serves to the API and the UI)."""
    return json.dumps(reason_table(), indent=2, sort_keys=True)
