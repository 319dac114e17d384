"""Keyword topic rules: a transparent fallback beside the trained topic classifier."""

from __future__ import annotations

import re
from collections.abc import Iterable

TOPIC_KEYWORDS: dict[str, str] = {
    "record_retention": r"\b(retain|retention|preserv\w*|books and records|recordkeeping|record-keeping"
    r"|non-rewriteable|WORM|17a-4|destroy\w*|dispos\w+ of records|keep\w* records)\b"
    r"|保存|留存|保管|归档|存档",
    "communications_archiving": r"\b(communications?|e-?mails?|instant messag\w*|WeChat|WhatsApp"
    r"|text messag\w*|texting|off-channel|messaging|chat|social media|archiv\w*)\b"
    r"|通讯|通信记录|即时通讯|聊天记录|电子邮件",
    "crypto_assets": r"\b(crypto\w*|virtual (currenc\w+|assets?)|digital (assets?|collect\w+|tokens?)"
    r"|tokens?|NFTs?|stablecoins?|bitcoin|blockchain|DeFi|mining|VASPs?|MiCA)\b"
    r"|虚拟货币|虚拟资产|数字藏品|NFT|代币|稳定币|区块链|加密资产|挖矿|比特币|數字資產|虛擬資產",
    "aml_kyc": r"\b(money laundering|AML|CFT|terrorist financing|customer due diligence|CDD|KYC"
    r"|know your customer|beneficial own\w+|suspicious (activity|transaction)|SARs?|CIP"
    r"|customer identification)\b|反洗钱|洗钱|恐怖融资|客户身份|尽职调查|可疑交易|受益所有人|反洗錢",
    "sanctions": r"\b(sanction\w*|OFAC|SDN|blocked (property|persons?)|asset freez\w*|block\w* "
    r"property|designat\w+ persons?|embargo\w*)\b|制裁|冻结|反制|不可靠实体|制裁名单",
    "export_controls": r"\b(export\w*|EAR|ITAR|dual-use|Entity List|deemed export|licen[cs]e "
    r"exception|ECCN|re-?export\w*|controlled (items?|technology))\b|出口管制|两用物项|管控名单|出口",
    "data_privacy": r"\b(personal (data|information)|privacy|data subjects?|consent|GDPR|PIPL"
    r"|cross-border (transfer|data)|data protection|personally identifiable)\b"
    r"|个人信息|隐私|数据出境|个人数据|敏感个人信息|個人資料",
    "cybersecurity": r"\b(cyber\w*|information security|security incidents?|access controls?"
    r"|multi-factor|MFA|penetration test\w*|encrypt\w*|vulnerab\w+|malware|network security"
    r"|CISO|passwords?|authenticat\w+|ransomware|firewalls?|phishing|intrusion|privileged access"
    r"|security patch\w*)\b|网络安全|信息安全|安全事件|漏洞|访问控制|网络攻击|密码|口令|认证|認證"
    r"|加密|权限|渗透|攻击|钓鱼|脱敏|恶意|病毒|勒索|防火墙|安全防护|安全测评|安全检测|系统安全",
    "marketing_communications": r"\b(advertis\w+|promot\w+|marketing|testimonials?|endorsements?"
    r"|communications with the public|retail communications|financial promotions?|influencers?)\b"
    r"|广告|宣传|营销|推广|推介",
    "consumer_protection": r"\b(investors?|consumers?|customers?' (interests|funds)|risk warnings?"
    r"|disclos\w+|suitab\w+|complaints?|retail clients?|fair(ly)? treat\w*|best interest)\b"
    r"|投资者|消费者|风险提示|适当性|投诉|风险揭示|金融消费者",
    "reporting": r"\b(report\w*|fil(e|ed|ing)s?|notif\w+|submit\w*|Form [A-Z0-9-]+)\b"
    r"|报告|报送|备案|报备|申报|通报",
    "licensing_registration": r"\b(licen[cs]\w+|regist\w+|authori[sz]\w+|business licen[cs]e"
    r"|real-name|legal status)\b|牌照|许可|注册|登记|营业执照|实名|资质|备案",
    "governance_supervision": r"\b(policies|procedures|supervis\w+|training|internal controls?"
    r"|audit\w*|board|senior management|compliance officer|governance|self-regulat\w+)\b"
    r"|制度|内部控制|内控|培训|监督|自律|审计|董事会|合规",
    "platform_conduct": r"\b(platform|accounts?|users?|content|ban(ned)?|suspend\w*|rectif\w+"
    r"|restrict\w* (some )?functions?|delist\w*|remove\w* content)\b"
    r"|平台|账号|帳號|公众号|封号|封禁|限制.{0,4}功能|整改|下架|违规",
}
_COMPILED = {topic: re.compile(pattern, re.IGNORECASE) for topic, pattern in TOPIC_KEYWORDS.items()}


def keyword_topics(sentence: str) -> dict[str, int]:
    """``{topic: number of keyword hits}`` for the topics whose keywords occur."""
    hits = {topic: len(pattern.findall(sentence)) for topic, pattern in _COMPILED.items()}
    return {topic: count for topic, count in hits.items() if count}


def topics_mentioned(sentence: str, topics: Iterable[str] | None = None) -> set[str]:
    """Which of ``topics`` (default all) have a keyword in the sentence."""
    candidates = _COMPILED if topics is None else topics
    return {topic for topic in candidates if _COMPILED[topic].search(sentence)}
