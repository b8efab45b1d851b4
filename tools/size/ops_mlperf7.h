// The 7 ops of the MLPerf Tiny image models and person_detect (issue 8: TFLM + CMSIS-NN
// takes 81.7 KB for these on the M0+).
#define TFLM_OPS_SUBSET 1
#define TFLM_WANT_CONV_2D 1
#define TFLM_WANT_DEPTHWISE_CONV_2D 1
#define TFLM_WANT_FULLY_CONNECTED 1
#define TFLM_WANT_AVERAGE_POOL_2D 1
#define TFLM_WANT_RESHAPE 1
#define TFLM_WANT_SOFTMAX 1
#define TFLM_WANT_ADD 1
