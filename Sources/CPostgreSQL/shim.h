// libpq, PostgreSQL's client library (Debian: libpq-dev).
#include <postgresql/libpq-fe.h>

/* libpq is opened when a PostgreSQL store is first named (PostgreSQLStore's LibPQ), not linked:
   nothing here names one of its functions, whose types are given instead. */
#define HELPDESK_PQ_TYPE(name) typedef __typeof__(&name) helpdesk_##name##_fn;
HELPDESK_PQ_TYPE(PQclear)
HELPDESK_PQ_TYPE(PQcmdTuples)
HELPDESK_PQ_TYPE(PQconnectdbParams)
HELPDESK_PQ_TYPE(PQconninfoFree)
HELPDESK_PQ_TYPE(PQconninfoParse)
HELPDESK_PQ_TYPE(PQconsumeInput)
HELPDESK_PQ_TYPE(PQerrorMessage)
HELPDESK_PQ_TYPE(PQfinish)
HELPDESK_PQ_TYPE(PQflush)
HELPDESK_PQ_TYPE(PQfreemem)
HELPDESK_PQ_TYPE(PQgetResult)
HELPDESK_PQ_TYPE(PQgetisnull)
HELPDESK_PQ_TYPE(PQgetlength)
HELPDESK_PQ_TYPE(PQgetvalue)
HELPDESK_PQ_TYPE(PQisBusy)
HELPDESK_PQ_TYPE(PQnotifies)
HELPDESK_PQ_TYPE(PQntuples)
HELPDESK_PQ_TYPE(PQreset)
HELPDESK_PQ_TYPE(PQresultErrorField)
HELPDESK_PQ_TYPE(PQresultStatus)
HELPDESK_PQ_TYPE(PQsendPrepare)
HELPDESK_PQ_TYPE(PQsendQuery)
HELPDESK_PQ_TYPE(PQsendQueryPrepared)
HELPDESK_PQ_TYPE(PQserverVersion)
HELPDESK_PQ_TYPE(PQsetNoticeProcessor)
HELPDESK_PQ_TYPE(PQsocket)
HELPDESK_PQ_TYPE(PQstatus)
#undef HELPDESK_PQ_TYPE
