"""Vitals from devices: HL7 v2 ORU over MLLP and serial pulse oximeters (no Qt here).

The socket and pty adapters sit at this package's edge; everything else is plain data.
"""
