// Header self-containment: <taskio/lock.hpp> compiles alone (no PCH), twice.
#include <taskio/lock.hpp>
#include <taskio/lock.hpp>
