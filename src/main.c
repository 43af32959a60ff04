/* main.c - the descent binary: everything else lives in the library. */
#include "cli.h"

int main(int argc, char **argv)
{
	return descent_main(argc, argv);
}
