// Header self-containment: <taskio/loop_callbacks.hpp> compiles alone (no PCH), twice.
#include <taskio/loop_callbacks.hpp>
#include <taskio/loop_callbacks.hpp>
