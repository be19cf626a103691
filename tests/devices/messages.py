"""ORU^R01 messages shaped like what GE, Mindray and Philips send (IHE PCD-01 style).

Written from the public shapes of IHE PCD-01 (Technical Framework vol. 2, ORU^R01 with
MDC codes in OBX-3 and MDC units in OBX-6), a GE CARESCAPE-style gateway (EUI-64 device
ids in MSH-3 and OBX-18), a Mindray-style gateway (cuff codes, kPa, local times without
an offset, vendor codes beside MDC) and a Philips information centre (MDIL labels, UCUM
units). Each builder takes the parts a test varies.
"""

from __future__ import annotations

CR = "\r"


def ge(
    *,
    control_id: str = "GE0001",
    patient: str = "JD",
    bed: str = "KET^^CHAIR3",
    systolic: str = "142",
    diastolic: str = "88",
    nibp_time: str = "20260105101430+0100",
    msh_time: str = "20260105101500+0100",
) -> str:
    device = "00A0D9FFFE123456^GE^00A0D9FFFE123456^EUI-64"
    mmhg = "266016^MDC_DIM_MMHG^MDC"
    return CR.join(
        [
            "MSH|^~\\&|GE_CARESCAPE^00A0D9FFFE123456^EUI-64|GE_GATEWAY|||"
            f"{msh_time}||ORU^R01^ORU_R01|{control_id}|P|2.6|||NE|AL||UNICODE UTF-8|||"
            "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO",
            f"PID|||{patient}^^^CLINIC^MR||^^^^^^U",
            f"PV1||I|{bed}",
            f"OBR|1|{control_id}^GE_CARESCAPE|{control_id}^GE_CARESCAPE|"
            f"182777000^monitoring of patient^SCT|||{msh_time}",
            "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||" + device,
            f"OBX|2|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.3.1.150021|{systolic}|{mmhg}"
            f"|||||R|||{nibp_time}||||{device}",
            f"OBX|3|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.3.1.150022|{diastolic}|{mmhg}"
            f"|||||R|||{nibp_time}||||{device}",
            f"OBX|4|NM|150023^MDC_PRESS_BLD_NONINV_MEAN^MDC|1.3.1.150023|106|{mmhg}"
            f"|||||R|||{nibp_time}||||{device}",
            "OBX|5|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1.147842|80|"
            "264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||||||" + device,
            "OBX|6|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.2.1.150456|97|"
            "262688^MDC_DIM_PERCENT^MDC|||||R|||||||" + device,
            "OBX|7|NM|151562^MDC_RESP_RATE^MDC|1.4.1.151562|14|"
            "264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||||||" + device,
        ]
    )


def mindray(*, control_id: str = "MR-77", patient: str = "JD", time: str = "20260105101500") -> str:
    """Cuff codes in kPa, one vendor code, times without an offset, no OBX-18."""
    kpa = "265987^MDC_DIM_KILO_PASCAL^MDC"
    return CR.join(
        [
            f"MSH|^~\\&|BeneVision^MINDRAY|ROOM3|||{time}||ORU^R01^ORU_R01|{control_id}|P|2.6",
            f"PID|||{patient}^^^CLINIC^MR",
            "PV1||O|KET^^CHAIR3",
            f"OBR|1||{control_id}|182777000^monitoring of patient^SCT|||{time}",
            f"OBX|1|NM|150301^MDC_PRESS_CUFF_SYS^MDC|1.1.4.150301|18.9|{kpa}|||||F",
            f"OBX|2|NM|150302^MDC_PRESS_CUFF_DIA^MDC|1.1.4.150302|11.7|{kpa}|||||F",
            "OBX|3|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC|1.1.2.149530|72|"
            "264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F",
            "OBX|4|NM|153^MNDRY_PRESS_PULSE_VARIATION^99MNDRY|1.1.9.153|12|"
            "262688^MDC_DIM_PERCENT^MDC|||||F",
            "OBX|5|NM|150344^MDC_TEMP^MDC|1.1.5.150344|98.6|266560^MDC_DIM_FAHR^MDC|||||F",
        ]
    )


def philips(*, control_id: str = "PIC000123", patient: str = "JD") -> str:
    """MDIL labels with UCUM units, two PID-3 repetitions, numerics in a second OBR."""
    return CR.join(
        [
            "MSH|^~\\&|PIC_iX^Philips|ICU_CENTRAL|||20260105091500+0000||ORU^R01|"
            f"{control_id}|P|2.5",
            f"PID|||H-555^^^HOSP^PI~{patient}^^^CLINIC^MR",
            "PV1||I|KET^^CHAIR3",
            "OBR|1||NIBP|NBP^Non-invasive BP^MDIL|||20260105091400+0000",
            "OBX|1|NM|0002-4a05^NBPs^MDIL||138|mm[Hg]^mm[Hg]^UCUM|||||F|||||||MX450^Philips",
            "OBX|2|NM|^NBPd^MDIL||84|mm[Hg]^mm[Hg]^UCUM|||||F|||||||MX450^Philips",
            "OBX|3|NM|^NBPm^MDIL||102|mm[Hg]^mm[Hg]^UCUM|||||F|||||||MX450^Philips",
            "OBR|2||NUM|NUM^Numerics^MDIL|||20260105091500+0000",
            "OBX|1|NM|^Pulse^MDIL||76|{beats}/min^{beats}/min^UCUM|||||F",
            "OBX|2|NM|0002-4bb8^SpO2^MDIL||96|%^%^UCUM|||||F",
            "OBX|3|NM|^RR^MDIL||15|/min^/min^UCUM|||||F",
            "OBX|4|ST|^Alarm^MDIL||SpO2 probe off||||||F",
        ]
    )
