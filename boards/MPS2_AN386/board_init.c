// MPS2_AN386 board start-up: enable the Cortex-M4F FPU before MicroPython runs.
//
// Linked with -Wl,--wrap=uart_init: the port's _start() calls uart_init()
// before main(), so the FPU is on before the first floating-point instruction.
#include <stdint.h>

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void __real_uart_init(void);

void __wrap_uart_init(void) {
    SCB_CPACR |= 0xfu << 20; // CP10 and CP11: full access
    __asm volatile ("dsb\n isb" ::: "memory");
    __real_uart_init();
}
