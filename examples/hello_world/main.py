# hello_world: a model that learnt sin(x) fades an LED in and out.
#
# hello_world_int8.tflite (three FULLY_CONNECTED layers) maps x in [0, 2*pi]
# to y ~ sin(x); y in [-1, 1] becomes the LED's PWM duty cycle. On the
# Pico the LED is GP25 ("LED"); on the emulated Pico the PWM runs unseen,
# so each step is also printed.
#
#   mpremote run main.py          (model in /rom or /)
import gc
import os
import time

try:
    import machine
    import tflm
except ImportError:  # CPython: the host check imports the constants only
    machine = tflm = None

MODEL = "hello_world_int8.tflite"
STEP = 0.25  # x advances by 1/4 radian per step (exact in binary floating point)
STEPS = 26  # 0 .. 6.25: one period
PERIODS = 1  # set to a large number for a steadily breathing LED
DELAY_MS = 40
LED_PIN = "LED"


def find_model(name):
    for path in ("/rom/" + name, name):
        try:
            os.stat(path)
            return path
        except OSError:
            pass
    raise OSError("model %s not found in /rom or the current folder: run tflm deploy" % name)


def duty_of(y):
    # y in [-1, 1] -> 16-bit PWM duty (clamped: the model's y can overshoot).
    d = int((y + 1.0) * 32767.5)
    return 0 if d < 0 else (65535 if d > 65535 else d)


def main():
    gc.collect()
    model = tflm.Model(find_model(MODEL))
    led = machine.PWM(machine.Pin(LED_PIN), freq=1000)
    x_in, y_out = model.input(0), model.output(0)
    try:
        for _ in range(PERIODS):
            for k in range(STEPS):
                x = k * STEP
                x_in[:] = x  # quantised with the input's scale and zero point
                q_in = memoryview(x_in)[0]  # read before invoke (the arena is reused)
                model.invoke()
                q_out = memoryview(y_out)[0]
                y = y_out.dequantize()[0]
                led.duty_u16(duty_of(y))
                print("x=%.2f y=%.4f duty=%d raw in %d out %d" % (x, y, duty_of(y), q_in, q_out))
                time.sleep_ms(DELAY_MS)
    finally:
        led.duty_u16(0)


if __name__ == "__main__":
    main()
