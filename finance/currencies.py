"""The currencies an amount may be in: the active codes of ISO 4217 (list A of the standard).

Python's standard library has no currency list, and one table of three-letter codes does not
justify a dependency (pycountry would bring every ISO standard's data). The list changes a few
times a decade (the latest: SLE 2022, VED 2021, ZWG 2024); add a code here when ISO adds one, and
keep a withdrawn code as long as amounts recorded in it exist. IATI's Currency codelist is the
same standard, so every code here is valid in an IATI file.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# fmt: off
ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XDR XOF XPF XSU XUA YER ZAR
ZMW ZWG ZWL
""".split())
# fmt: on


def validate_currency(code: str) -> None:
    """Any case is accepted (the model stores the code in capitals, see ``MoneyRow.clean``)."""
    if str(code).strip().upper() not in ISO_4217:
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code (e.g. USD, EUR)."), code="currency", params={"code": code}
        )
