# tflm user C module for MicroPython's CMake-based ports (rp2, esp32, ...).
#
#   make -C ports/rp2 USER_C_MODULES=<repo>/usermod_tflm/micropython.cmake
#
# The binding is an INTERFACE library (scanned for qstrs); the engine is a
# static library, so the qstr scan never sees it. Port glue for the profile()
# clock: <repo>/ports/<port>/tflm_port.c, with the port named by TFLM_PORT
# (default: the name of the MicroPython port directory being built).
set(TFLM_MOD_DIR ${CMAKE_CURRENT_LIST_DIR})
set(TFLM_ENGINE_DIR ${TFLM_MOD_DIR}/engine)

file(GLOB TFLM_ENGINE_SRC CONFIGURE_DEPENDS
    ${TFLM_ENGINE_DIR}/*.c
    ${TFLM_ENGINE_DIR}/kernels/*.c
    ${TFLM_ENGINE_DIR}/kernels/ref/*.c
    ${TFLM_ENGINE_DIR}/kernels/arm/*.c)
list(SORT TFLM_ENGINE_SRC)

if(NOT DEFINED TFLM_PORT)
    get_filename_component(TFLM_PORT ${MICROPY_PORT_DIR} NAME)
endif()
set(TFLM_PORT_SRC ${TFLM_MOD_DIR}/../ports/${TFLM_PORT}/tflm_port.c)

add_library(tflm_engine STATIC ${TFLM_ENGINE_SRC})
target_include_directories(tflm_engine PRIVATE ${TFLM_ENGINE_DIR})
# -ffp-contract=off: no fused multiply-add, so float32 kernels match the oracle.
target_compile_options(tflm_engine PRIVATE -std=c99 -ffp-contract=off -Wall -Wno-unused-parameter)

# Op subset (smaller firmware): -DTFLM_OPS_HEADER=<path to a header as in
# tools/size/*.h>; tflm.ops() on the board lists the ops that are in.
# -DTFLM_TERSE=1: no error detail strings in the engine.
if(TFLM_OPS_HEADER)
    get_filename_component(TFLM_OPS_HEADER_ABS ${TFLM_OPS_HEADER} ABSOLUTE)
    target_compile_definitions(tflm_engine PRIVATE "TFLM_OPS_HEADER=\"${TFLM_OPS_HEADER_ABS}\"")
endif()
if(TFLM_TERSE)
    target_compile_definitions(tflm_engine PRIVATE TFLM_TERSE)
endif()
# -DTFLM_FORCE_REF=1: the reference kernels only (benchmark baseline).
if(TFLM_FORCE_REF)
    target_compile_definitions(tflm_engine PRIVATE TFLM_FORCE_REF)
endif()

add_library(usermod_tflm INTERFACE)
target_sources(usermod_tflm INTERFACE
    ${TFLM_MOD_DIR}/modtflm.c
    ${TFLM_MOD_DIR}/tflm_tensor_obj.c)
target_include_directories(usermod_tflm INTERFACE ${TFLM_MOD_DIR} ${TFLM_ENGINE_DIR})

if(EXISTS ${TFLM_PORT_SRC})
    target_sources(tflm_engine PRIVATE ${TFLM_PORT_SRC})
    target_compile_definitions(usermod_tflm INTERFACE TFLM_HAVE_PORT_CLOCK=1)
endif()

# A second core for the engine: <repo>/ports/<port>/tflm_cores.c, compiled
# with the port's own headers (pico-sdk's multicore API on rp2).
set(TFLM_CORES_SRC ${TFLM_MOD_DIR}/../ports/${TFLM_PORT}/tflm_cores.c)
if(EXISTS ${TFLM_CORES_SRC} AND NOT TFLM_CORES EQUAL 1)
    target_sources(usermod_tflm INTERFACE ${TFLM_CORES_SRC})
    target_compile_definitions(usermod_tflm INTERFACE TFLM_HAVE_PORT_CORES=1)
    if(MICROPY_PORT_DIR)
        target_include_directories(usermod_tflm INTERFACE ${MICROPY_PORT_DIR})
    endif()
endif()

target_link_libraries(usermod_tflm INTERFACE tflm_engine)
target_link_libraries(usermod INTERFACE usermod_tflm)
