// qstrs specific to this port (most are found by the qstr scan)
// sys.path entry, spelt out: the scan cannot derive "/" from MP_QSTR__slash_lib
Q(/lib)
