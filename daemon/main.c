/* main.c: simmerd's entry point (being built). */
#include <stdio.h>
int main(void)
{
	fprintf(stderr, "simmerd: not built yet\n");
	return 1;
}
