/* cli.h - the command line: options, --help, and the two modes (train,
 * predict).  main() only calls descent_main; everything it does is here so
 * the tests can link it. */
#ifndef DESCENT_CLI_H
#define DESCENT_CLI_H

/* Run descent as a command; returns the exit status (error.h). */
int descent_main(int argc, char **argv);

#endif
