// Header self-containment: <taskio/loop_thread.hpp> compiles alone (no PCH), twice.
#include <taskio/loop_thread.hpp>
#include <taskio/loop_thread.hpp>
