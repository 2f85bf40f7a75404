#include <gtest/gtest.h>
#include <signal.h>

int main(int argc, char** argv) {
  // Writing to a connection the server closed must fail the write, not kill the test.
  signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
