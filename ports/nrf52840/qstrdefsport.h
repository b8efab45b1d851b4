// qstrs specific to this port (most are found by the qstr scan)
