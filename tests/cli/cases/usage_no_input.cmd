$PV
