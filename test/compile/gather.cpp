// Header self-containment: <taskio/gather.hpp> compiles alone (no PCH), twice.
#include <taskio/gather.hpp>
#include <taskio/gather.hpp>
