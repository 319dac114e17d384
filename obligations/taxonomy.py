"""The fixed label vocabularies: modality and topic ids (see docs/taxonomy.md)."""

from __future__ import annotations

MODALITIES: tuple[str, ...] = ("obligation", "prohibition", "permission", "recommendation")

TOPICS: dict[str, str] = {
    "record_retention": "keeping records for a period, storage format, retrieval, disposal",
    "communications_archiving": "capturing, supervising and archiving business communications",
    "crypto_assets": "virtual currencies, tokens, NFTs, stablecoins",
    "aml_kyc": "anti-money laundering, customer due diligence, suspicious transaction reports",
    "sanctions": "economic and trade sanctions, asset freezes, sanctions screening",
    "export_controls": "export licences, controlled items, dual-use, entity lists",
    "data_privacy": "personal information processing, consent, cross-border transfer",
    "cybersecurity": "information security, access controls, incident handling",
    "marketing_communications": "advertising, promotions, communications with the public",
    "consumer_protection": "risk warnings, customer disclosures, suitability, complaints",
    "reporting": "reports, filings and notifications to a regulator",
    "licensing_registration": "licences, registration, verification of legal status",
    "governance_supervision": "policies, supervision, training, internal controls, audits",
    "platform_conduct": "platform duties over users' accounts and content",
}

COVERAGE_LEVELS: tuple[str, ...] = ("full", "partial")


def unknown_topics(topics: list[str]) -> list[str]:
    """The ids in ``topics`` that are not taxonomy topics."""
    return [topic for topic in topics if topic not in TOPICS]
