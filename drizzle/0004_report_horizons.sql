CREATE TABLE "report_horizons" (
	"account_id" text PRIMARY KEY NOT NULL,
	"deleted_through_seq" bigint NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
