#!/usr/bin/perl
# Harvests a whole OAI-PMH repository with HTTP::OAI's harvester (Debian libhttp-oai-perl),
# following resumption tokens, and prints one line per record: identifier, datestamp, status.
# Usage: oai-harvest.pl BASE_URL [METADATA_PREFIX]
use strict;
use warnings;
use HTTP::OAI;

my ($base_url, $prefix) = @ARGV;
die "usage: $0 BASE_URL [METADATA_PREFIX]\n" unless $base_url;
$prefix //= 'oai_dc';
binmode STDOUT, ':encoding(UTF-8)';

my $harvester = HTTP::OAI::Harvester->new(baseURL => $base_url, resume => 1);
my $identify = $harvester->Identify;
die 'Identify failed: ' . $identify->message . "\n" if $identify->is_error;

my $records = 0;
my $response = $harvester->ListRecords(
    metadataPrefix => $prefix,
    onRecord => sub {
        my ($record) = @_;
        $records++;
        printf "%s\t%s\t%s\n", $record->identifier, $record->datestamp, ($record->is_deleted ? 'deleted' : 'present');
    },
);
die 'ListRecords failed: ' . $response->message . "\n" if $response->is_error;
print STDERR "harvested $records records\n";
